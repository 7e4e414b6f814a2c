// What the tests leave in test-results/ (ignored by git): tests never write tracked files. The lab takes
// these in (npm run docs:generate -- --update) and reads the bases `npm run standins` records here.
const RESULTS_FOLDER = 'test-results';

/** The browser suite's screenshot of the page (npm run test:browser). */
export const SCREENSHOT_FILE = `${RESULTS_FOLDER}/page.png`;
/** The image suite's measurements (npm run test:images). */
export const IMAGES_RESULTS_FILE = `${RESULTS_FOLDER}/images.json`;
/** The base images the image suite builds on, as `npm run standins` found or assembled them. */
export const BASES_FILE = `${RESULTS_FOLDER}/bases.json`;
