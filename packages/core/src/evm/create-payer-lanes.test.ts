import { describe, expect, test } from 'vitest'
import { createPayerLanes } from './create-payer-lanes.js'

describe('createPayerLanes', () => {
  test('behavior: tasks of one key run one at a time, in order; other keys run alongside', async () => {
    const lanes = createPayerLanes({ now: () => 0, rememberMs: 1000 })
    const events: string[] = []
    let releaseFirst = () => {}
    const first = lanes.run('a', async () => {
      events.push('a1 start')
      await new Promise<void>((resolve) => {
        releaseFirst = resolve
      })
      events.push('a1 end')
    })
    const second = lanes.run('a', async () => {
      events.push('a2 start')
    })
    await lanes.run('b', async () => {
      events.push('b1')
    })
    expect(events).toEqual(['a1 start', 'b1'])
    releaseFirst()
    await Promise.all([first, second])
    expect(events).toEqual(['a1 start', 'b1', 'a1 end', 'a2 start'])
  })

  test('behavior: a failed task does not stop the lane', async () => {
    const lanes = createPayerLanes({ now: () => 0, rememberMs: 1000 })
    const failed = lanes.run('a', async () => {
      throw new Error('boom')
    })
    await expect(failed).rejects.toThrow('boom')
    await expect(lanes.run('a', async () => 'next')).resolves.toBe('next')
  })

  test('behavior: holds add up per key until released or past their end', () => {
    const lanes = createPayerLanes({ now: () => 0, rememberMs: 1000 })
    lanes.hold('a', 'n1', 10n, 100, 'pending')
    lanes.hold('a', 'n2', 5n, 200, 'pending')
    lanes.hold('b', 'n1', 7n, 100, 'pending')
    expect(lanes.held('a', 50)).toBe(15n)
    expect(lanes.held('a', 50, { except: 'n1' })).toBe(5n)
    expect(lanes.held('a', 100)).toBe(5n)
    lanes.release('a', 'n2')
    expect(lanes.held('a', 50)).toBe(0n)
    expect(lanes.held('b', 50)).toBe(7n)
  })

  test('behavior: abandon drops only verified holds; a spent hold counts for balances read before it', () => {
    const lanes = createPayerLanes({ now: () => 0, rememberMs: 1000 })
    lanes.hold('a', 'n1', 10n, 100, 'verified')
    lanes.hold('a', 'n2', 5n, 100, 'pending')
    expect(lanes.held('a', 50, { pendingOnly: true })).toBe(5n)
    lanes.abandon('a', 'n1')
    lanes.abandon('a', 'n2')
    expect(lanes.held('a', 50)).toBe(5n)
    lanes.hold('a', 'n3', 3n, 100, 'verified')
    const before = lanes.sequence()
    lanes.release('a', 'n3', true)
    expect(lanes.held('a', 50)).toBe(5n)
    expect(lanes.held('a', 50, { since: before })).toBe(8n)
    expect(lanes.held('a', 50, { since: lanes.sequence() })).toBe(5n)
    expect(lanes.held('a', 100, { since: before })).toBe(0n)
  })

  test('behavior: broadcast times are remembered for rememberMs, then forgotten', () => {
    let now = 0
    const lanes = createPayerLanes({ now: () => now, rememberMs: 1000 })
    lanes.markBroadcast('a')
    now = 500
    lanes.markBroadcast('b')
    expect(lanes.lastBroadcast('a')).toBe(0)
    now = 1200
    lanes.markBroadcast('c')
    expect(lanes.lastBroadcast('a')).toBeUndefined()
    expect(lanes.lastBroadcast('b')).toBe(500)
  })
})
