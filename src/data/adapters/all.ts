// Imports every adapter so it registers itself; add one line per adapter file.
import './ferplus.js';
import './fer2013.js';
import './class-folders.js';
import './ckplus.js';
import './jaffe.js';
import './kdef.js';
import './rafdb.js';
import './affectnet.js';
import './expw.js';
import './csv.js';
