/** The Watchtower release; the agent reports it, the API shows it. Kept equal to package.json (tested). */
export const VERSION = '0.1.0';
