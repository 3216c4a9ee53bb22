import { defineFaultMatrix } from '../src/define-fault-matrix.js'

// The exactly-once fault matrix through the MCP server (`withPayment`), in a world of its own.
defineFaultMatrix('mcp')
