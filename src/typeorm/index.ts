// The TypeORM layer comes with TypeORM support.
export {}
