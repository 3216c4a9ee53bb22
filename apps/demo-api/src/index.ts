/**
 * @module @tollgate/demo-api
 * An Express API with priced routes behind a Tollgate gate, for demos, agent tests and benchmarks.
 */
export { checkIdentity } from './check-identity.js'
export { createDemoApi, type DemoApi } from './create-demo-api.js'
export { type CreateDemoApiOptions, createDemoGate, type DemoAsset, demoRoutes } from './create-demo-gate.js'
export { createSearchResults } from './create-search-results.js'
export { issueContract } from './issue-contract.js'
export { type ReadChainAssetOptions, readChainAsset } from './read-chain-asset.js'
export { type RunningDemoApi, type StartDemoApiOptions, startDemoApi } from './start-demo-api.js'
