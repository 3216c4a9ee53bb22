import type { PaidEndpoint as PaidTool, PaidEndpointClient as PaidToolsClient } from '@tollgate/core'
import { createSpendingPolicy } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import { tollgateToolApproval } from './tollgate-tool-approval.js'

const tool = (name: string, maxPrice?: string): PaidTool => ({
  name,
  description: name,
  endpoint: `https://api.example.com/${name}`,
  params: {},
  ...(maxPrice === undefined ? {} : { maxPrice }),
})

describe('tollgateToolApproval', () => {
  test('default: user approval for a ceiling the policy would ask about, else not applicable', () => {
    const client = {
      policy: createSpendingPolicy({ requireApprovalAbove: '$0.50' }),
    } as unknown as PaidToolsClient
    const approval = tollgateToolApproval({
      client,
      tools: [tool('identity', '$0.60'), tool('search', '$0.01'), tool('free')],
    })
    const statusOf = (toolName: string) => approval({ toolCall: { toolName } })
    expect(statusOf('identity')).toBe('user-approval')
    expect(statusOf('search')).toBe('not-applicable')
    expect(statusOf('free')).toBe('not-applicable')
    expect(statusOf('someone_elses_tool')).toBe('not-applicable')
  })
})
