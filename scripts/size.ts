// `npm run size`: each bundle in dist/, its size and what fills it (by npm package or room of src/),
// read from the esbuild metafiles the build writes (dist/meta). `--all` lists every origin.
import { describeBundle, readBundles } from './bundle-contents';

const all = process.argv.includes('--all');
for (const contents of Object.values(readBundles())) console.log(describeBundle(contents, all ? Infinity : 8));
