// The Jest setup entry comes with Jest support.
export {}
