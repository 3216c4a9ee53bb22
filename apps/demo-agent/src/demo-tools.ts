import type { PaidEndpoint } from '@tollgate/core'
import { z } from 'zod'

/** The names of the demo's paid tools. */
export type DemoToolName =
  | 'web_search'
  | 'buy_search_pass'
  | 'publish_post'
  | 'verify_identity'
  | 'issue_contract'

/**
 * The demo API's paid routes as tool definitions that both `createPaidTools` (LangChain) and
 * `createPaidTools` (AI SDK) accept. Each `maxPrice` is a hard ceiling for one call and is shown to the
 * model; the prices themselves come from the API's 402 answers.
 *
 * @example createPaidTools({ client, tools: demoTools(api.url) })
 */
export function demoTools(apiUrl: string): (PaidEndpoint & { name: DemoToolName })[] {
  const base = apiUrl.replace(/\/+$/, '')
  return [
    {
      name: 'web_search',
      description: 'Web search: ranked results (title, url, snippet) for a query.',
      endpoint: `${base}/api/search`,
      params: { q: { type: 'string', description: 'What to search for' } },
      maxPrice: '$0.01',
    },
    {
      name: 'buy_search_pass',
      description:
        'Buy a 24-hour pass for web_search: later searches are covered by it and cost nothing more. Worth it before many searches.',
      endpoint: `${base}/api/pass`,
      method: 'POST',
      params: {},
      maxPrice: '$1',
    },
    {
      name: 'publish_post',
      description: 'Publish a post with a title and a body; returns its id.',
      endpoint: `${base}/api/post`,
      method: 'POST',
      params: {
        title: { type: 'string', description: 'Title of the post' },
        body: { type: 'string', description: 'Text of the post' },
      },
      maxPrice: '$0.30',
    },
    {
      name: 'verify_identity',
      description: 'Check the identity of a person from their name, country and document number.',
      endpoint: `${base}/api/identity`,
      method: 'POST',
      params: {
        name: { type: 'string', description: 'Full name' },
        country: { type: 'string', description: 'ISO 3166-1 alpha-2 country code, such as "GB"' },
        documentNumber: { type: 'string', description: 'Passport or ID card number' },
      },
      maxPrice: '$0.60',
    },
    {
      name: 'issue_contract',
      description: 'Draft a service contract between parties on given terms.',
      endpoint: `${base}/api/contract/issue`,
      method: 'POST',
      params: z.object({
        title: z.string().min(1).max(120).describe('Title of the contract'),
        parties: z.array(z.string().min(1).max(120)).min(2).max(8).describe('Names of the parties'),
        terms: z.string().min(1).max(2000).describe('The terms agreed'),
      }),
      maxPrice: '$1.00',
    },
  ]
}
