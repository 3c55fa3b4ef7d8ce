/** The Datomic Pro version dtx installs and names by default (a constant, no imports: the CLI wiring reads it for --help). */
export const DEFAULT_DATOMIC_VERSION = '1.0.7469';
