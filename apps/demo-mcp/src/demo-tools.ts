import type { PaidTool } from '@tollgate/mcp'
import { z } from 'zod'

/**
 * The demo API's paid routes as MCP tools, each with its price in the description so the model can
 * weigh it (for tools with `maxPrice`, core appends "(Paid: up to … per call.)"). The two expensive
 * ones carry `maxPrice`: the user is asked before they are paid, and a higher price is never paid.
 *
 * @example createPaidMcpServer({ client, tools: demoTools('http://127.0.0.1:4021') })
 */
export function demoTools(apiUrl: string): PaidTool[] {
  const base = apiUrl.replace(/\/+$/, '')
  return [
    {
      name: 'search',
      description: 'Web search: ranked results for a query. Costs $0.001 per call.',
      endpoint: `${base}/api/search`,
      params: { q: z.string().min(1).max(500).describe('What to search for') },
    },
    {
      name: 'publish_post',
      description: 'Publish a post with a title and a body; returns its id. Costs $0.30 per call.',
      endpoint: `${base}/api/post`,
      method: 'POST',
      params: {
        title: z.string().min(1).max(200).describe('Title of the post'),
        body: z.string().min(1).max(10_000).describe('Text of the post'),
      },
    },
    {
      name: 'verify_identity',
      description:
        'Check the identity of a person from their name, country and document number. The user is asked to approve it.',
      endpoint: `${base}/api/identity`,
      method: 'POST',
      params: {
        name: z.string().min(1).max(120).describe('Full name'),
        country: z.string().length(2).describe('ISO 3166-1 alpha-2 country code, such as "GB"'),
        documentNumber: z.string().min(1).max(40).describe('Passport or ID card number'),
      },
      maxPrice: '$0.60',
    },
    {
      name: 'issue_contract',
      description:
        'Draft a service contract between parties on given terms. The user is asked to approve it.',
      endpoint: `${base}/api/contract/issue`,
      method: 'POST',
      params: {
        title: z.string().min(1).max(120).describe('Title of the contract'),
        parties: z.array(z.string().min(1).max(120)).min(2).max(10).describe('Names of the parties'),
        terms: z.string().min(1).max(2000).describe('The terms agreed'),
      },
      maxPrice: '$1.00',
    },
  ]
}
