// The Jest adapter (setupFilesAfterEnv) comes with Jest support.
export {}
