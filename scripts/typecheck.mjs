// `npm run typecheck`: type-checks each project given (a folder with a tsconfig.json), reporting
// what `tsc -p <folder>` reports for it, in one process. Building a program (reading, parsing
// and resolving the libs', Node's, Jest's and the ORMs' declarations) is most of a tsc run
// (~80% for a Jest sample); programs whose compiler options are the same here share their
// parsed files and module resolutions, so each declaration file is parsed once.
import path from 'node:path'
import ts from 'typescript'

const report = ts.createDiagnosticReporter(ts.sys, ts.sys.writeOutputIsTTY?.() ?? false)
/** Per set of compiler options: the parsed files and the module resolution cache. */
const shared = new Map()
let errors = 0

for (const project of process.argv.slice(2)) {
  const config = ts.getParsedCommandLineOfConfigFile(path.resolve(project, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: report })
  if (!config) {
    errors++
    continue
  }
  const { options } = config
  if (!options.noEmit) throw new Error(`${project}: the type check only checks; its tsconfig must say noEmit`)
  const { configFilePath: _configFilePath, ...sameOptions } = options
  const key = JSON.stringify(sameOptions)
  if (!shared.has(key)) shared.set(key, { files: new Map(), resolutions: ts.createModuleResolutionCache(ts.sys.getCurrentDirectory(), (name) => name, options) })
  const { files, resolutions } = shared.get(key)
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
    const { languageVersion, impliedNodeFormat } = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions }
    const fileKey = `${fileName}\0${languageVersion}\0${impliedNodeFormat}`
    if (!shouldCreateNewSourceFile && files.has(fileKey)) return files.get(fileKey)
    const file = getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile)
    if (file) files.set(fileKey, file)
    return file
  }
  host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, compilerOptions, containingSourceFile) =>
    literals.map((literal) =>
      ts.resolveModuleName(literal.text, containingFile, compilerOptions, host, resolutions, redirectedReference, ts.getModeForUsageLocation(containingSourceFile, literal, compilerOptions)),
    )
  const program = ts.createProgram({ rootNames: config.fileNames, options, projectReferences: config.projectReferences, host, configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config) })
  // tsc's own reporting: configuration, syntax, options, global, semantic and (noEmit with
  // declarations) declaration diagnostics, in its order; nothing is written with noEmit.
  const { diagnostics } = ts.emitFilesAndReportErrors(program, report, undefined, undefined)
  if (diagnostics.some((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)) errors++
}

if (errors > 0) {
  process.stderr.write(`typecheck: ${errors} project(s) with errors\n`)
  process.exitCode = 1
}
