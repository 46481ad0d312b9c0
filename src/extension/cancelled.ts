// A user's "no" (a dismissed question, an empty pick): the command ends quietly, nothing is reported.
export class Cancelled extends Error {}
