import type { AttackCase } from '../run-case.js'
import { faultCases } from './fault-cases.js'
import { forgeryCases } from './forgery-cases.js'
import { griefingCases } from './griefing-cases.js'
import { lifecycleCases } from './lifecycle-cases.js'
import { proofContentCases } from './proof-content-cases.js'
import { replayCases } from './replay-cases.js'
import { requestShapeCases } from './request-shape-cases.js'

/** Every case of the suite, family by family. */
export const allCases: AttackCase[] = [
  ...requestShapeCases,
  ...replayCases,
  ...proofContentCases,
  ...forgeryCases,
  ...lifecycleCases,
  ...griefingCases,
  ...faultCases,
]
