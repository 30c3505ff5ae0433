import { type AnyLayer, LayerError } from '../base/index.js'

/**
 * The registered layers, checked once at configuration time: unique names, known
 * dependencies, no cycles. Errors name the layers at fault.
 */
export class LayerGraph {
  readonly #layers = new Map<string, AnyLayer>()

  constructor(layers: readonly AnyLayer[]) {
    for (const layer of layers) {
      if (this.#layers.has(layer.name)) {
        throw new LayerError(
          `sqlite-fixtures: two layers are named "${layer.name}". Layer names must be unique` +
            (layer.name === 'db' || layer.name === 'broker' ? ` ("${layer.name}" is built in).` : '.'),
        )
      }
      this.#layers.set(layer.name, layer)
    }
    for (const layer of layers) {
      for (const dependency of layer.dependsOn ?? []) {
        if (!this.#layers.has(dependency)) {
          throw new LayerError(
            `sqlite-fixtures: layer "${layer.name}" depends on "${String(dependency)}", which is not a layer. ` +
              `Known layers: ${[...this.#layers.keys()].join(', ')}.`,
          )
        }
      }
    }
    const acyclic = new Set<string>()
    for (const layer of layers) this.#checkCycle(layer, [], acyclic)
  }

  #checkCycle(layer: AnyLayer, path: readonly string[], acyclic: Set<string>): void {
    if (acyclic.has(layer.name)) return
    if (path.includes(layer.name)) {
      const cycle = [...path.slice(path.indexOf(layer.name)), layer.name]
      throw new LayerError(`sqlite-fixtures: layers depend on each other in a cycle: ${cycle.join(' -> ')}.`)
    }
    for (const dependency of layer.dependsOn ?? []) {
      this.#checkCycle(this.get(dependency), [...path, layer.name], acyclic)
    }
    acyclic.add(layer.name)
  }

  has(name: string): boolean {
    return this.#layers.has(name)
  }

  get names(): string[] {
    return [...this.#layers.keys()]
  }

  get(name: string): AnyLayer {
    const layer = this.#layers.get(name)
    if (!layer) {
      throw new LayerError(`sqlite-fixtures: there is no layer "${name}". Known layers: ${this.names.join(', ')}.`)
    }
    return layer
  }
}
