/** Which model drives the agents. */
export type ModelChoice =
  | { provider: 'scripted' }
  | { provider: 'openai'; model: string }
  | { provider: 'anthropic'; model: string }

/** Options of {@link chooseModel}. */
export type ChooseModelOptions = {
  /** Use the scripted models even when an API key is set. Default `false`. */
  scripted?: boolean
}

/**
 * Chooses the agents' model from the environment: OpenAI when `OPENAI_API_KEY` is set (model
 * `OPENAI_MODEL`, default `gpt-4.1-mini`), else Anthropic when `ANTHROPIC_API_KEY` is set (model
 * `ANTHROPIC_MODEL`, default `claude-haiku-4-5`), else each framework's own scripted test model,
 * which needs no network and always makes the same calls.
 *
 * @example chooseModel(process.env) // { provider: 'scripted' } offline
 */
export function chooseModel(
  environment: Readonly<Record<string, string | undefined>>,
  options: ChooseModelOptions = {},
): ModelChoice {
  const set = (name: string) => (environment[name]?.trim() ?? '') !== ''
  if (options.scripted === true) return { provider: 'scripted' }
  if (set('OPENAI_API_KEY')) {
    return { provider: 'openai', model: environment.OPENAI_MODEL?.trim() || 'gpt-4.1-mini' }
  }
  if (set('ANTHROPIC_API_KEY')) {
    return { provider: 'anthropic', model: environment.ANTHROPIC_MODEL?.trim() || 'claude-haiku-4-5' }
  }
  return { provider: 'scripted' }
}

/**
 * Says which model drives the agents, for the demo's header.
 *
 * @example describeModel({ provider: 'openai', model: 'gpt-4.1-mini' }) // 'OpenAI gpt-4.1-mini (OPENAI_API_KEY is set)'
 */
export function describeModel(choice: ModelChoice, options: ChooseModelOptions = {}): string {
  switch (choice.provider) {
    case 'openai':
      return `a real model, OpenAI ${choice.model} (OPENAI_API_KEY is set)`
    case 'anthropic':
      return `a real model, Anthropic ${choice.model} (ANTHROPIC_API_KEY is set)`
    default:
      return options.scripted === true
        ? 'scripted test models (LangChain fakeModel, AI SDK MockLanguageModelV3), as --scripted asks'
        : 'scripted test models (LangChain fakeModel, AI SDK MockLanguageModelV3); set OPENAI_API_KEY or ANTHROPIC_API_KEY for a real one'
  }
}
