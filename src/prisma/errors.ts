import { SqliteFixturesError } from '../core/base/index.js'

/** The Prisma layer cannot work with what it was given, or was misused. */
export class PrismaLayerError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_PRISMA', options)
  }
}
