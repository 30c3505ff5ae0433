import { requirePackage } from '../core/base/index.js'

/** Sequelize's entry: the `Sequelize` class, with `DataTypes` and the rest on it. */
export type SequelizeModule = typeof import('sequelize')

/**
 * `sequelize`, loaded on first use rather than imported: `sqlite-fixtures/sequelize` in a
 * setup file then costs a test file that never touches a database nothing of Sequelize.
 */
export const sequelizeModule = (): SequelizeModule => requirePackage<SequelizeModule>('sequelize')

/** The installed Sequelize's version (for the template's cache key). */
export function sequelizeVersion(): string {
  return requirePackage<{ version: string }>('sequelize/package.json').version
}
