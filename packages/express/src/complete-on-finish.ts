import type { ServerResponse } from 'node:http'
import type { GatePaid } from '@tollgate/core'

/**
 * Reports the handler's status to the gate exactly once: when the response has finished, or as
 * 500 when the connection closed first (the agent did not get its answer, so a claimed `tx` proof
 * is released). A response of 500 or more is held until the gate has released the proof, so an
 * agent that retries at once with the same proof is admitted.
 *
 * @internal
 * @example completeOnFinish(response, decision.complete); next()
 */
export function completeOnFinish(response: ServerResponse, complete: GatePaid['complete']): void {
  let completion: Promise<unknown> | undefined
  const report = (status: number) => {
    completion ??= complete(status).catch(() => {})
    return completion
  }
  const end = response.end
  response.end = function (this: ServerResponse, ...args: unknown[]) {
    if (completion !== undefined || response.statusCode < 500) return Reflect.apply(end, this, args)
    report(response.statusCode)
      .then(() => Reflect.apply(end, this, args))
      .catch(() => this.destroy())
    return this
  } as ServerResponse['end']
  response.once('finish', () => report(response.statusCode))
  response.once('close', () => report(response.writableFinished ? response.statusCode : 500))
}
