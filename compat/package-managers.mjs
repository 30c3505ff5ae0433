// The compatibility run's install track: the demo project (fixtures/demo, the README's set-up)
// installed from the npm registry alone by npm, pnpm 10 and 11, Yarn 4 (node_modules and
// Plug'n'Play) and bun, each as the docs say, then run, and type-checked with skipLibCheck off
// in each kind of layout.
// The package managers themselves come from npm packages. Where a package manager skips
// better-sqlite3's build until told, the run first shows the plugin's own message, then
// follows it. better-sqlite3 is never compiled here: every install takes a prebuilt addon
// made from the repo's own node_modules (prebuild-install's local prebuilds, ./prebuilds.mjs).
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** Runs a command to the end; never throws: the caller checks the code and the output. */
async function run(command, args, options) {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...options })
    return { code: 0, output: stdout + stderr }
  } catch (error) {
    return { code: typeof error.code === 'number' ? error.code : 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message }
  }
}

const packageVersion = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version

/** Downloads a package's tarball from the registry and unpacks it: a package manager, as a file. */
async function unpacked(npm, spec, dir) {
  fs.mkdirSync(dir, { recursive: true })
  const packed = await run(process.execPath, [npm, 'pack', spec, '--silent'], { cwd: dir })
  if (packed.code !== 0) throw new Error(`npm pack ${spec} failed:\n${packed.output}`)
  const tarball = packed.output.trim().split('\n').pop()
  const done = await run('tar', ['xzf', path.join(dir, tarball), '-C', dir])
  if (done.code !== 0) throw new Error(`unpacking ${tarball} failed:\n${done.output}`)
  fs.rmSync(path.join(dir, tarball))
  return path.join(dir, 'package')
}

/** The demo project, as a user's: the docs' install (the plugin and the driver) in a TypeScript project on Vitest. */
function writeDemo({ repo, demo, dir, tarball, extra = {} }) {
  fs.cpSync(demo, dir, { recursive: true })
  const version = (name) => packageVersion(path.join(repo, 'node_modules', name))
  const manifest = {
    name: 'demo',
    private: true,
    type: 'module',
    scripts: { test: 'vitest run --reporter=default --reporter=json --outputFile.json=report.json', typecheck: 'tsc -p .' },
    devDependencies: {
      // The project's own: Vitest, TypeScript and Node's types, at the repo's versions.
      vitest: version('vitest'),
      typescript: version('typescript'),
      '@types/node': version('@types/node'),
      // The docs' install. The driver at the repo's version, for the local prebuild.
      'sqlite-fixtures': `file:${path.relative(dir, tarball)}`,
      'better-sqlite3': version('better-sqlite3'),
    },
    ...extra,
  }
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  // The handles' types, with skipLibCheck off, through nothing but what the install brought.
  fs.copyFileSync(path.join(repo, 'compat/types-check-install.ts'), path.join(dir, 'types-check.ts'))
  const compilerOptions = { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, skipLibCheck: false, types: ['node'] }
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['vitest.config.ts', 'setup.ts', 'types-check.ts'] }, null, 2))
}

const setJson = (file, change) => fs.writeFileSync(file, `${JSON.stringify(change(JSON.parse(fs.readFileSync(file, 'utf8'))), null, 2)}\n`)

/** What the demo's run reported: the four tests passed, or the problem. */
function checkRun(dir, result) {
  const reportFile = path.join(dir, 'report.json')
  if (!fs.existsSync(reportFile)) return { tests: 0, problem: `the tests did not run:\n${result.output.slice(-3000)}` }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'))
  fs.rmSync(reportFile)
  const tests = report.testResults.flatMap((file) => file.assertionResults)
  const failed = tests.filter((test) => test.status !== 'passed')
  if (result.code !== 0 || tests.length !== 4 || failed.length > 0) {
    return { tests: tests.length, problem: `${failed.length} of ${tests.length} tests failed (exit ${result.code}):\n${result.output.slice(-3000)}` }
  }
  return { tests: tests.length }
}

/** The plugin's message for an unbuilt driver, as the run printed it (from its first line to the blank line after the command). */
function driverMessage(output) {
  const start = output.indexOf('sqlite-fixtures: better-sqlite3 is installed but was never built')
  if (start === -1) return undefined
  const lines = output.slice(start).split('\n')
  const end = lines.findIndex((line, i) => i > 0 && /build it too\.|builds it\.|trust better-sqlite3`, if/.test(line))
  // NO_COLOR is set: the lines are plain text.
  return lines.slice(0, end === -1 ? 6 : end + 1).join('\n')
}

/**
 * Installs and runs the demo with each package manager, one after the other (their installs
 * are network-bound, and run beside the compat entries' compiles). `node22` is a Node for
 * pnpm 11, which needs 22.13 or later; it runs pnpm only: the project's scripts and tests
 * run on this process's Node, as they would under pnpm's standalone build. `demo` is a copy
 * of fixtures/demo, `prebuilds` the env of ./prebuilds.mjs.
 */
export async function packageManagerRuns({ repo, demo, scratch, tarball, npm, node22, prebuilds }) {
  const root = path.join(scratch, 'package-managers')
  const tools = path.join(root, 'tools')
  const started = Date.now()
  const [pnpm10, pnpm11, yarn, bun] = await Promise.all([
    unpacked(npm, 'pnpm@10', path.join(tools, 'pnpm10')),
    unpacked(npm, 'pnpm@11', path.join(tools, 'pnpm11')),
    unpacked(npm, '@yarnpkg/cli-dist@4', path.join(tools, 'yarn')),
    process.platform === 'linux' && process.arch === 'x64' ? unpacked(npm, '@oven/bun-linux-x64@1', path.join(tools, 'bun')) : undefined,
  ])
  const toolSeconds = Math.round((Date.now() - started) / 1000)
  const tmp = path.join(root, 'tmp')
  fs.mkdirSync(tmp)
  const env = {
    ...process.env,
    CI: 'true',
    NO_COLOR: '1',
    TMPDIR: tmp,
    ...prebuilds,
    npm_config_update_notifier: 'false',
    npm_config_store_dir: path.join(root, 'pnpm-store'),
    pnpm_config_store_dir: path.join(root, 'pnpm-store'),
    BUN_INSTALL_CACHE_DIR: path.join(root, 'bun-cache'),
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    YARN_ENABLE_TELEMETRY: '0',
    YARN_GLOBAL_FOLDER: path.join(root, 'yarn-global'),
    YARN_CACHE_FOLDER: path.join(root, 'yarn-cache'),
    YARN_ENABLE_GLOBAL_CACHE: 'false',
    // Yarn's default registry host is its own mirror: here it is npm's.
    YARN_NPM_REGISTRY_SERVER: 'https://registry.npmjs.org',
  }
  const pnpmCommand = (home, node) => {
    const bin = fs.existsSync(path.join(home, 'bin/pnpm.mjs')) ? 'bin/pnpm.mjs' : 'bin/pnpm.cjs'
    return [node, [path.join(home, bin)]]
  }
  const managers = [
    { name: 'npm', version: packageVersion(path.join(path.dirname(npm), '..')), command: [process.execPath, [npm]], steps: npmSteps },
    { name: 'pnpm 10', version: packageVersion(pnpm10), command: pnpmCommand(pnpm10, process.execPath), steps: pnpmSteps },
    { name: 'pnpm 11', version: packageVersion(pnpm11), command: pnpmCommand(pnpm11, (await node22()).node), steps: pnpmSteps },
    { name: 'yarn (node_modules)', version: packageVersion(yarn), command: [process.execPath, [path.join(yarn, 'bin/yarn.js')]], steps: yarnSteps('node-modules') },
    { name: 'yarn (Plug\'n\'Play)', version: packageVersion(yarn), command: [process.execPath, [path.join(yarn, 'bin/yarn.js')]], steps: yarnSteps('pnp') },
    ...(bun ? [{ name: 'bun', version: packageVersion(bun), command: [path.join(bun, 'bin/bun'), []], steps: bunSteps }] : []),
  ]
  const results = []
  for (const manager of managers) {
    const dir = path.join(root, manager.name.replace(/\W+/g, '-'))
    const at = Date.now()
    const [command, prefix] = manager.command
    const pm = (args) => run(command, [...prefix, ...args], { cwd: dir, env })
    const result = { name: manager.name, version: manager.version, tests: 0, problems: [], messages: [] }
    try {
      writeDemo({ repo, demo, dir, tarball })
      await manager.steps({ pm, dir, result, manager })
    } catch (error) {
      result.problems.push(error.message)
    }
    const left = fs.readdirSync(tmp).filter((name) => name.startsWith('sqlite-fixtures-'))
    if (left.length > 0) result.problems.push(`left in the temp dir: ${left.join(', ')}`)
    result.seconds = Math.round((Date.now() - at) / 1000)
    results.push(result)
  }
  return { results, toolSeconds, seconds: Math.round((Date.now() - started) / 1000) }
}

/** Fails the step with the command's output unless it exited 0. */
function ok(step, result) {
  if (result.code !== 0) throw new Error(`${step} failed (exit ${result.code}):\n${result.output.slice(-3000)}`)
  return result
}

/**
 * Runs the demo's tests (every one must pass), after its type check where the layout is one
 * of a kind: npm's hoisted node_modules, pnpm's isolated one (pnpm 11) and Plug'n'Play. The
 * others lay out packages as one of these (pnpm 10, Yarn's node_modules, bun), and the CI's
 * two cores are busy compiling better-sqlite3 for the compat entries meanwhile.
 */
async function typecheckAndTest({ pm, dir, result, manager }, run = ['run']) {
  if (['npm', 'pnpm 11', "yarn (Plug'n'Play)"].includes(manager.name)) ok('the type check (skipLibCheck off)', await pm([...run, 'typecheck']))
  const tested = checkRun(dir, await pm([...run, 'test']))
  result.tests = tested.tests
  if (tested.problem) throw new Error(tested.problem)
}

/** Runs the tests expecting the plugin's message for an unbuilt driver, naming `fix`. */
async function expectDriverMessage({ pm, dir, result }, fix, run = ['run']) {
  const tested = await pm([...run, 'test'])
  fs.rmSync(path.join(dir, 'report.json'), { force: true })
  const message = driverMessage(tested.output)
  if (message === undefined) throw new Error(`with better-sqlite3 unbuilt, the run did not show the plugin's message:\n${tested.output.slice(-3000)}`)
  if (!message.includes(fix)) throw new Error(`the plugin's message does not name "${fix}":\n${message}`)
  result.messages.push(message)
}

async function npmSteps(context) {
  ok('npm install', await context.pm(['install', '--no-audit', '--no-fund']))
  await typecheckAndTest(context)
}

/**
 * pnpm 10 and 11 skip better-sqlite3's build until allowed. pnpm 11 fails the install
 * (ERR_PNPM_IGNORED_BUILDS), pnpm 10 warns: the tests then stop on the plugin's message, and
 * the command it names builds the driver (pnpm 10's asks which package: here the docs'
 * other way, allowBuilds in pnpm-workspace.yaml and an install).
 */
async function pnpmSteps(context) {
  const { pm, dir, manager } = context
  const installed = await pm(['install'])
  if (!installed.output.includes('better-sqlite3')) throw new Error(`pnpm install did not name the build it skipped:\n${installed.output.slice(-3000)}`)
  if (manager.name === 'pnpm 11') {
    await expectDriverMessage(context, 'pnpm approve-builds better-sqlite3')
    ok('pnpm approve-builds better-sqlite3', await pm(['approve-builds', 'better-sqlite3']))
  } else {
    await expectDriverMessage(context, 'pnpm approve-builds')
    fs.writeFileSync(path.join(dir, 'pnpm-workspace.yaml'), 'allowBuilds:\n  better-sqlite3: true\n')
    ok('pnpm install (allowBuilds)', await pm(['install']))
  }
  await typecheckAndTest(context)
}

/**
 * Yarn 4 runs no build script unless allowed: the tests stop on the plugin's message, then
 * `dependenciesMeta` as it says, and `yarn install` builds the driver. Plug'n'Play starts
 * from the docs' package.json, with `dependenciesMeta` in it.
 */
function yarnSteps(nodeLinker) {
  return async (context) => {
    const { pm, dir } = context
    fs.writeFileSync(path.join(dir, '.yarnrc.yml'), `nodeLinker: ${nodeLinker}\n`)
    fs.writeFileSync(path.join(dir, 'yarn.lock'), '')
    const allow = () => setJson(path.join(dir, 'package.json'), (manifest) => ({ ...manifest, dependenciesMeta: { 'better-sqlite3': { built: true } } }))
    if (nodeLinker === 'pnp') allow()
    ok('yarn install', await pm(['install']))
    if (nodeLinker !== 'pnp') {
      await expectDriverMessage(context, '"dependenciesMeta": { "better-sqlite3": { "built": true } }', [])
      allow()
      ok('yarn install (dependenciesMeta)', await pm(['install']))
    }
    await typecheckAndTest(context, [])
  }
}

/** bun trusts better-sqlite3's build by default; it installs, and Node runs the tests. */
async function bunSteps(context) {
  ok('bun install', await context.pm(['install']))
  await typecheckAndTest(context)
}
