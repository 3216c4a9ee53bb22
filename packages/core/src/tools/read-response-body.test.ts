import { describe, expect, test } from 'vitest'
import { readResponseBody } from './read-response-body.js'

const json = (body: string) =>
  new Response(body, { headers: { 'content-type': 'application/json; charset=utf-8' } })

describe('readResponseBody', () => {
  test('default: JSON is parsed, text stays text', async () => {
    expect(await readResponseBody(json('{"price":1.5}'), 100)).toEqual({ price: 1.5 })
    expect(await readResponseBody(new Response('plain'), 100)).toBe('plain')
    expect(await readResponseBody(json('not json'), 100)).toBe('not json')
    expect(await readResponseBody(new Response(null), 100)).toBe('')
  })

  test('behavior: a long body is cut with a note and never parsed', async () => {
    expect(await readResponseBody(json(`"${'x'.repeat(50)}"`), 10)).toMatchInlineSnapshot(`
      ""xxxxxxxxx
      [truncated: the response was longer than 10 characters]"
    `)
  })

  test('behavior: stops reading a huge stream early', async () => {
    let pulled = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(1024).fill(97))
      },
    })
    const text = (await readResponseBody(new Response(stream), 1000)) as string
    expect(text.startsWith('a'.repeat(1000))).toBe(true)
    expect(pulled).toBeLessThan(10)
  })
})
