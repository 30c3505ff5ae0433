// template: where the template is built and cached. Schema, migrations, layers' steps and seed
// are applied once, the result is cached on disk under a hash of its inputs, and the main
// process hands it to the workers. The building code itself (template.ts, prebuild.ts) is
// loaded only where one is built.

export {
  handoffUse,
  receiveTemplate,
  startupFailure,
  templateInputs,
  uniqueSets,
  type HandoffUse,
  type TemplateHandoff,
} from './handoff.js'
export { applyScript } from './script.js'
