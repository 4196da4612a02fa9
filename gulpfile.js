// Copies what tsc does not emit: node/credential icons (light and dark SVG) and node codex files.
const { src, dest, series } = require('gulp');
const fs = require('fs');

function clean(done) {
	fs.rmSync('dist', { recursive: true, force: true });
	done();
}

function copyAssets() {
	return src(['nodes/**/*.svg', 'nodes/**/*.node.json', 'credentials/**/*.svg'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports.clean = clean;
exports['build:assets'] = copyAssets;
exports.default = series(clean, copyAssets);
