import type { ModelStatic, Sequelize } from 'sequelize'

/** Model options that shape the tables `sync()` creates. */
const tableOptions = ['tableName', 'schema', 'timestamps', 'paranoid', 'underscored', 'freezeTableName', 'createdAt', 'updatedAt', 'deletedAt', 'version', 'indexes', 'uniqueKeys'] as const

/**
 * A value as the description shows it, in a form `JSON.stringify` keeps whole: a data type by
 * its SQL, a model by its table, a function by its text, a BigInt by its digits, and an
 * object's symbol keys too (Sequelize's operators, `{ [Op.is]: null }` in an index's `where`,
 * which `JSON.stringify` alone drops, so a changed operator would leave the key unchanged).
 */
function described(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'bigint') return `bigint ${value}`
  // JSON writes these as null, where Sequelize writes DEFAULT 'Infinity' (and null as NULL).
  if (typeof value === 'number' && !Number.isFinite(value)) return `number ${value}`
  if (typeof value === 'symbol') return String(value)
  if (typeof value === 'function') {
    const table = (value as { getTableName?: () => unknown }).getTableName
    return typeof table === 'function' ? `model ${JSON.stringify(table.call(value))}` : `function ${String(value)}`
  }
  if (typeof value !== 'object' || value === null) return value
  if (typeof (value as { toSql?: unknown }).toSql === 'function') {
    const type = value as { key?: string; toSql(): string }
    try {
      return `type ${type.toSql()}`
    } catch {
      return `type ${type.key ?? String(value)}`
    }
  }
  if (value instanceof Date) return `Date ${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()}`
  if (value instanceof RegExp) return `RegExp ${String(value)}`
  // A value met again on the way down (a model's attribute pointing back at it): shown once.
  if (seen.has(value)) return '[seen]'
  seen.add(value)
  try {
    if (Array.isArray(value)) return value.map((item) => described(item, seen))
    const keys: (string | symbol)[] = [...Object.keys(value), ...Object.getOwnPropertySymbols(value)]
    return Object.fromEntries(keys.map((key) => [String(key), described((value as Record<string | symbol, unknown>)[key], seen)]))
  } finally {
    seen.delete(value)
  }
}

/**
 * What the models of a Sequelize make `sync()` create, described without running it: each
 * model's table, attributes (types, keys, references, defaults) and table options, in name
 * order. A changed model changes it, so the template built from them is built again.
 */
export function describeModels(sequelize: Sequelize): string {
  const models = Object.values(sequelize.models as Record<string, ModelStatic<never>>).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return JSON.stringify(
    described(
      models.map((model) => ({
        name: model.name,
        table: model.getTableName(),
        attributes: Object.fromEntries(
          Object.entries(model.rawAttributes).map(([name, attribute]) => {
            // `Model` points back at the model: its table is described already.
            const { Model: _model, ...rest } = attribute as typeof attribute & { Model?: unknown }
            return [name, rest]
          }),
        ),
        options: Object.fromEntries(tableOptions.map((option) => [option, (model.options as unknown as Record<string, unknown>)[option]])),
      })),
      new Set(),
    ),
  )
}
