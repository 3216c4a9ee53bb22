import { describe, expect, test } from 'vitest'

// `pnpm test` runs on AI SDK 6; `test:node22` runs the same files on AI SDK 7 and Node 22.
describe('the AI SDK under test', () => {
  test('behavior: TOLLGATE_AI_SDK=7 runs the tests on AI SDK 7 and Node 22, else on AI SDK 6', async () => {
    const onSeven = process.env.TOLLGATE_AI_SDK === '7'
    // MockLanguageModelV4 (the v4 provider specification) is new in AI SDK 7.
    expect('MockLanguageModelV4' in (await import('ai/test'))).toBe(onSeven)
    if (onSeven) expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22)
  })
})
