/**
 * @module @tollgate/demo-agent
 * The end-to-end demo's parts: agents (LangChain and AI SDK) that discover prices and pay the demo
 * API, an MCP session with the demo MCP server, and `runDemo`, which runs them all on a devnet.
 */
export { type ChooseModelOptions, chooseModel, describeModel, type ModelChoice } from './choose-model.js'
export { type CreateAgentClientOptions, createAgentClient } from './create-agent-client.js'
export { type Cleanup, createCleanup } from './create-cleanup.js'
export { createPaidCallTracker, type PaidCall, type PaidCallOutcome } from './create-paid-call-tracker.js'
export { type CreateReportOptions, createReport, type Report, wrapText } from './create-report.js'
export { createScriptedOnboardingModel, ONBOARDING_TASK } from './create-scripted-onboarding-model.js'
export { createScriptedResearchModel, RESEARCH_TASK } from './create-scripted-research-model.js'
export { type DemoToolName, demoTools } from './demo-tools.js'
export { type DiscoveredPrice, discoverPrices } from './discover-prices.js'
export type { DemoPayment } from './report-paid-call.js'
export { type AiSdkAgentRun, type RunAiSdkAgentOptions, runAiSdkAgent } from './run-ai-sdk-agent.js'
export { type DemoResult, type RunDemoOptions, runDemo } from './run-demo.js'
export { type AgentRun, type RunLangChainAgentOptions, runLangChainAgent } from './run-langchain-agent.js'
export { type McpSessionRun, type RunMcpSessionOptions, runMcpSession } from './run-mcp-session.js'
export { type DemoServices, type StartDemoServicesOptions, startDemoServices } from './start-demo-services.js'
