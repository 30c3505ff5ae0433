// template: where the template is built and cached. Schema, seed and layers' steps are applied
// once, the result is cached on disk under a hash of its inputs, and the main process hands
// it to the workers. The building code itself (template.ts) is loaded only where one is built.

export { receiveTemplate, templateInputs, type TemplateHandoff } from './handoff.js'
export { applyScript } from './script.js'
