/** public/ sits beside src/ and dist/ alike, so one relative URL serves the sources and the bundle. */
export const PUBLIC_FOLDER = new URL('../public/', import.meta.url);
