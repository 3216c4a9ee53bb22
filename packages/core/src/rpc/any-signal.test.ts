import { afterEach, describe, expect, test } from 'vitest'
import { anySignal } from './any-signal.js'

const native = AbortSignal.any

describe('anySignal', () => {
  afterEach(() => {
    AbortSignal.any = native
  })

  for (const [name, withAny] of [
    ['with AbortSignal.any', true],
    ['without AbortSignal.any (as some edge runtimes)', false],
  ] as const) {
    test(`behavior: ${name}, aborts with the first reason, and not before`, () => {
      if (!withAny) (AbortSignal as { any?: unknown }).any = undefined
      const first = new AbortController()
      const second = new AbortController()
      const signal = anySignal([first.signal, second.signal])
      expect(signal.aborted).toBe(false)
      second.abort('second')
      first.abort('first')
      expect([signal.aborted, signal.reason]).toEqual([true, 'second'])
      const late = anySignal([first.signal, new AbortController().signal])
      expect([late.aborted, late.reason]).toEqual([true, 'first'])
    })
  }
})
