/**
 * @module @tollgate/demo-hono
 * The demo API's priced routes as a Hono app behind a Tollgate gate, for demos and agent tests.
 */
export { createDemoHono, type DemoHono } from './create-demo-hono.js'
export { type RunningDemoHono, type StartDemoHonoOptions, startDemoHono } from './start-demo-hono.js'
