import type { Client } from '@tollgate/core'

/** Options of {@link measureClientOverhead}. */
export type MeasureClientOverheadOptions = {
  /** A client holding a pass that covers `url`. */
  client: Client
  url: string
  /** The same pass's token, sent by hand by the plain `fetch`. */
  passToken: string
  /** Sequential calls per side. */
  calls: number
}

/** What {@link measureClientOverhead} found, in microseconds per call. */
export type ClientOverhead = {
  /** Median client call minus median plain call. */
  overheadMicros: number
  /** Median plain `fetch` call. */
  plainMicros: number
  /** Median `client.fetch` call. */
  clientMicros: number
}

/**
 * Measures what `client.fetch` adds to a request covered by a cached pass (policy, pass cache,
 * header, bookkeeping) over a plain `fetch` sending the same pass header to the same server. After
 * a warm-up, `calls` sequential calls per side, interleaved one by one (alternating which goes
 * first) so drift on a busy machine hits both sides alike; each call is timed on its own and the
 * medians are compared, so a call that lost the CPU for a while does not count.
 *
 * @example const { overheadMicros } = await measureClientOverhead({ client, url, passToken, calls: 2000 })
 * @throws {Error} when a call does not answer 200
 */
export async function measureClientOverhead(options: MeasureClientOverheadOptions): Promise<ClientOverhead> {
  const { client, url, passToken } = options
  const plain = async (): Promise<void> => {
    const response = await fetch(url, { headers: { 'x-payment-pass': passToken } })
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`plain fetch with the pass answered ${response.status}`)
  }
  const paying = async (): Promise<void> => {
    const response = await client.fetch(url)
    await response.arrayBuffer()
    if (response.status !== 200)
      throw new Error(`client.fetch with a cached pass answered ${response.status}`)
    if (client.paymentFor(response)?.method !== 'pass') throw new Error('client.fetch did not use its pass')
  }
  const timeCall = async (call: () => Promise<void>): Promise<number> => {
    const started = performance.now()
    await call()
    return (performance.now() - started) * 1000
  }
  const warmup = Math.max(50, Math.floor(options.calls / 5))
  for (let index = 0; index < warmup; index++) {
    await plain()
    await paying()
  }
  const plainTimes: number[] = []
  const clientTimes: number[] = []
  for (let index = 0; index < options.calls; index++) {
    if (index % 2 === 0) {
      plainTimes.push(await timeCall(plain))
      clientTimes.push(await timeCall(paying))
    } else {
      clientTimes.push(await timeCall(paying))
      plainTimes.push(await timeCall(plain))
    }
  }
  const plainMicros = median(plainTimes)
  const clientMicros = median(clientTimes)
  return { overheadMicros: clientMicros - plainMicros, plainMicros, clientMicros }
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
