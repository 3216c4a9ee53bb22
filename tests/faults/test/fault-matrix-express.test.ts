import { defineFaultMatrix } from '../src/define-fault-matrix.js'

// The exactly-once fault matrix through the Express gate (`tollgate()`), in a world of its own.
defineFaultMatrix('express')
