// Loaded into the mocha process with --require by .ci/run, to show which Node runs the tests
// (mocha re-spawns itself for --node-option) and, with ZDT_EXPECT_NODE_MAJOR, to insist on it.
const want = process.env.ZDT_EXPECT_NODE_MAJOR;
process.stderr.write(`tests run on node ${process.version} (${process.execPath})\n`);
if (want && process.versions.node.split('.')[0] !== want) {
  throw new Error(`expected Node ${want}, mocha runs on ${process.version}: put that Node first on PATH`);
}
