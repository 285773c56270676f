// Required by every mocha run (package.json "mocha", which suites/.mocharc.json adds to): shows
// which Node runs the tests (mocha re-spawns itself for --node-option) and, with
// ZDT_EXPECT_NODE_MAJOR (.ci/run), insists on it.
const want = process.env.ZDT_EXPECT_NODE_MAJOR;
process.stderr.write(`tests run on node ${process.version} (${process.execPath})\n`);
if (want && process.versions.node.split('.')[0] !== want) {
  throw new Error(`expected Node ${want}, mocha runs on ${process.version}: put that Node first on PATH`);
}
