import { type ModuleGraph, moduleGraphOver, nodeRequiredModules } from '../core/base/index.js'

/**
 * The modules Jest loaded, with the ones each required: in a test file, Jest's own registry
 * (Jest hands its code a `require` whose `cache` lists it); in the global setup, Node's
 * `require.cache`, where Jest's transform loads project files.
 */
export const jestModuleGraph: ModuleGraph = moduleGraphOver(nodeRequiredModules)
