/** Options of {@link createReport}. */
export type CreateReportOptions = {
  /** Where text goes, such as `(text) => process.stdout.write(text)`. */
  write: (text: string) => void
  /** Bold headings and dim details (for a terminal). Default `false`. */
  color?: boolean
  /** Longest line, in characters. Default 80. */
  width?: number
}

/** Plain-text output of the demo: headings, labelled lines and wrapped paragraphs. */
export type Report = {
  /** The line width. */
  readonly width: number
  /** The demo's title, underlined. */
  title(text: string): void
  /** A numbered part of the demo, with a rule under it. */
  section(text: string): void
  /** A heading inside a section. */
  heading(text: string, indent?: number): void
  /** `label` in a column of 8, then `text` wrapped under itself. */
  field(label: string, text: string, indent?: number): void
  /** Text wrapped at `indent`. */
  paragraph(text: string, indent?: number): void
  /** One preformatted line (a table row), cut to the width. */
  line(text: string): void
  /** Dimmed text wrapped at `indent` (details a reader can skip). */
  note(text: string, indent?: number): void
  /** An empty line. */
  blank(): void
}

const LABEL_WIDTH = 8

/**
 * Creates the demo's plain-text report: every line fits `width`, labels line up, and colour (bold
 * headings, dim notes) is used only when asked for, as on a terminal.
 *
 * @example
 * const report = createReport({ write: (text) => process.stdout.write(text) })
 * report.field('paid', '0.001 USDC', 6)
 */
export function createReport(options: CreateReportOptions): Report {
  const width = options.width ?? 80
  const color = options.color === true
  const bold = (text: string) => (color ? `\u001b[1m${text}\u001b[22m` : text)
  const dim = (text: string) => (color ? `\u001b[2m${text}\u001b[22m` : text)
  const line = (text = '') => options.write(`${text}\n`)
  const wrapped = (text: string, indent: number, firstPrefix: string, style = (value: string) => value) => {
    const lines = wrapText(text, width - indent - firstPrefix.length)
    lines.forEach((content, index) => {
      const prefix = index === 0 ? firstPrefix : ' '.repeat(firstPrefix.length)
      line(`${' '.repeat(indent)}${prefix}${style(content)}`.trimEnd())
    })
  }
  return {
    width,
    title(text) {
      line(bold(text))
      line(dim('='.repeat(Math.min(width, text.length))))
    },
    section(text) {
      line()
      line(bold(text))
      line(dim('-'.repeat(width)))
    },
    heading(text, indent = 2) {
      wrapped(text, indent, '', bold)
    },
    field(label, text, indent = 2) {
      wrapped(text, indent, label.padEnd(Math.max(LABEL_WIDTH, label.length + 1)))
    },
    paragraph(text, indent = 2) {
      wrapped(text, indent, '')
    },
    line(text) {
      line(text.length <= width ? text.trimEnd() : `${text.slice(0, width - 1)}…`)
    },
    note(text, indent = 2) {
      wrapped(text, indent, '', dim)
    },
    blank() {
      line()
    },
  }
}

/**
 * Wraps text at word boundaries into lines of at most `width` characters; a word longer than
 * the line (such as a transaction hash) gets a line of its own. Newlines in `text` are kept.
 *
 * @example wrapText('one two three', 7) // ['one two', 'three']
 */
export function wrapText(text: string, width: number): string[] {
  const limit = Math.max(width, 10)
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    let current = ''
    for (const word of paragraph.split(/\s+/).filter((entry) => entry !== '')) {
      if (current === '') current = word
      else if (current.length + 1 + word.length <= limit) current = `${current} ${word}`
      else {
        lines.push(current)
        current = word
      }
    }
    lines.push(current)
  }
  return lines
}
