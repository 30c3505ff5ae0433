import { brokerLayer } from '../broker/layer.js'
import type { AnyLayer } from '../core/base/index.js'

/** Layers every project gets besides `db`. */
export const builtInLayers: readonly AnyLayer[] = [brokerLayer]
