import { describe, expect, test } from 'vitest'
import { survivors } from './support/process-tree.js'
import { startDemoProcess } from './support/run-demo-process.js'

describe('the demo script, interrupted', () => {
  test('behavior: SIGINT to the demo alone while anvil runs exits 130 promptly and stops anvil', {
    timeout: 60_000,
  }, async () => {
    const demo = startDemoProcess()
    // `kill -INT <pid>`: only the demo gets the signal, so it must stop its children itself.
    await demo.tree.until((process) => /anvil/.test(process.command))
    demo.child.kill('SIGINT')
    const { code } = await demo.finished()

    expect({ code, stderr: demo.stderr() }).toEqual({
      code: 130,
      stderr: expect.stringContaining('interrupted'),
    })
    // Promptly: it stopped where it was instead of running the agents to the end.
    expect(demo.stdout()).not.toContain('Summary')
    expect(await survivors(demo.tree.seen())).toEqual([])
  })

  test('behavior: Ctrl-C (SIGINT to the process group) while the MCP server starts stops it, the API and anvil', {
    timeout: 60_000,
  }, async () => {
    // In its own process group, like a job in a terminal, so the whole group gets the signal.
    const demo = startDemoProcess({ detached: true })
    await demo.tree.until((process) => /src\/main\.ts/.test(process.command))
    process.kill(-(demo.child.pid as number), 'SIGINT')
    const { code } = await demo.finished()

    expect({ code, stderr: demo.stderr() }).toEqual({
      code: 130,
      stderr: expect.stringContaining('interrupted'),
    })
    expect(demo.stdout()).toContain('3. MCP')
    expect(demo.stdout()).not.toContain('Summary')
    const seen = demo.tree.seen()
    expect(seen.some((process) => /anvil/.test(process.command))).toBe(true)
    expect(await survivors(seen)).toEqual([])
  })

  test('behavior: SIGTERM to the demo alone while the MCP server runs exits 143 and stops the server too', {
    timeout: 60_000,
  }, async () => {
    const demo = startDemoProcess()
    await demo.tree.until((process) => /src\/main\.ts/.test(process.command))
    demo.child.kill('SIGTERM')
    const { code } = await demo.finished()

    expect({ code, stderr: demo.stderr() }).toEqual({
      code: 143,
      stderr: expect.stringContaining('terminated'),
    })
    expect(await survivors(demo.tree.seen())).toEqual([])
  })
})
