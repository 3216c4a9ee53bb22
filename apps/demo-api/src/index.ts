/**
 * @module @tollgate/demo-api
 * An Express API with priced routes behind a Tollgate gate, for demos, agent tests and benchmarks.
 */
export { type CreateDemoApiOptions, createDemoApi, type DemoApi, type DemoAsset } from './create-demo-api.js'
export { type ReadChainAssetOptions, readChainAsset } from './read-chain-asset.js'
export { type RunningDemoApi, type StartDemoApiOptions, startDemoApi } from './start-demo-api.js'
