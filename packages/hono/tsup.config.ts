import { defineConfig } from 'tsup'
import { tsupOptions } from '../../tsup.shared.js'

export default defineConfig((flags) => tsupOptions(flags, { index: 'src/index.ts' }))
