/**
 * @module @tollgate/demo-mcp
 * An MCP server whose paid tools call the demo API through a Tollgate client.
 */
export { type CreateDemoClientOptions, createDemoClient } from './create-demo-client.js'
export { type CreateDemoMcpServerOptions, createDemoMcpServer } from './create-demo-mcp-server.js'
export { demoTools } from './demo-tools.js'
export { discoverAsset } from './discover-asset.js'
