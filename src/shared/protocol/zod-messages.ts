// zod/mini (the tree-shakable build of zod) carries no error messages of its own: every issue would
// read "Invalid input". This loads zod's English messages ("Too small: expected string to have
// >=1 characters"), which the agent frames' and the API bodies' errors quote. Imported for its
// effect by each module that declares schemas.
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());
