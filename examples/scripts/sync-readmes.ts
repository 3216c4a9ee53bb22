// Rewrites every README code block that follows an `<!-- example: … -->` line with the example's
// current text: `pnpm --filter @tollgate/examples sync-readmes`.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exampleText, listReadmes, readBlocks, repositoryRoot } from './readme-blocks.js'

for (const readme of listReadmes()) {
  const path = join(repositoryRoot, readme)
  const lines = readFileSync(path, 'utf8').split('\n')
  // From the last block up, so earlier line numbers stay valid.
  for (const block of readBlocks(readme).reverse()) {
    if (block.example === undefined) continue
    lines.splice(block.start, block.end - block.start, ...exampleText(block.example).split('\n'))
  }
  writeFileSync(path, lines.join('\n'))
}
