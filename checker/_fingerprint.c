/* The state fingerprint of checker/fingerprint.py, in C: the same function, bit for bit.
 * See that module's docstring for the definition; python_fingerprint there is the reference. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#define K_INT 0x9E3779B97F4A7C15ULL
#define K_BIG 0xC2B2AE3D27D4EB4FULL
#define K_FLOAT 0x165667B19E3779F9ULL
#define K_COMPLEX 0x27D4EB2F165667C5ULL
#define K_NONE 0x85EBCA77C2B2AE63ULL
#define K_STR 0xD6E8FEB86659FD93ULL
#define K_BYTES 0xA0761D6478BD642FULL
#define K_TUPLE 0xE7037ED1A0B428DBULL
#define K_SET 0x8EBC6AF09C88C6E3ULL
#define K_ELEMENT 0x589965CC75374CC3ULL
#define K_OBJECT 0x1D8E4E27C47D124FULL

static inline uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t load_le(const unsigned char *p) {
    uint64_t w;
    memcpy(&w, p, 8);
#if PY_BIG_ENDIAN
    w = __builtin_bswap64(w);
#endif
    return w;
}

static uint64_t words(uint64_t seed, const unsigned char *data, Py_ssize_t n) {
    uint64_t h = mix(seed + (uint64_t)n);
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8)
        h = mix(h ^ load_le(data + i));
    if (i < n) {
        unsigned char tail[8] = {0};
        memcpy(tail, data + i, (size_t)(n - i));
        h = mix(h ^ load_le(tail));
    }
    return h;
}

static inline uint64_t fp_small_int(long long v) {
    return mix((uint64_t)v + K_INT);
}

/* An int outside int64: its sign, then its magnitude's 64-bit words, low first (rare; slow is fine). */
static int fp_big_int(PyObject *v, uint64_t *out) {
    PyObject *zero = PyLong_FromLong(0);
    if (zero == NULL)
        return -1;
    int negative = PyObject_RichCompareBool(v, zero, Py_LT);
    Py_DECREF(zero);
    if (negative < 0)
        return -1;
    PyObject *m = PyNumber_Absolute(v);
    if (m == NULL)
        return -1;
    PyObject *shift = PyLong_FromLong(64);
    if (shift == NULL) {
        Py_DECREF(m);
        return -1;
    }
    uint64_t h = mix(K_BIG + (uint64_t)negative);
    for (;;) {
        int nonzero = PyObject_IsTrue(m);
        if (nonzero < 0)
            goto fail;
        if (!nonzero)
            break;
        unsigned long long w = PyLong_AsUnsignedLongLongMask(m);
        if (w == (unsigned long long)-1 && PyErr_Occurred())
            goto fail;
        h = mix(h ^ (uint64_t)w);
        PyObject *next = PyNumber_Rshift(m, shift);
        if (next == NULL)
            goto fail;
        Py_SETREF(m, next);
    }
    Py_DECREF(m);
    Py_DECREF(shift);
    *out = h;
    return 0;
fail:
    Py_DECREF(m);
    Py_DECREF(shift);
    return -1;
}

static int fp_int(PyObject *v, uint64_t *out) {
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow)
        return fp_big_int(v, out);
    if (x == -1 && PyErr_Occurred())
        return -1;
    *out = fp_small_int(x);
    return 0;
}

static int fp_double(double d, uint64_t *out) {
    if (isfinite(d) && floor(d) == d) {
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
            *out = fp_small_int((long long)d);
            return 0;
        }
        PyObject *as_int = PyLong_FromDouble(d);
        if (as_int == NULL)
            return -1;
        int rc = fp_big_int(as_int, out);
        Py_DECREF(as_int);
        return rc;
    }
    uint64_t bits;
    memcpy(&bits, &d, 8);
    *out = mix(bits ^ K_FLOAT);
    return 0;
}

static int fp_str(PyObject *s, uint64_t *out) {
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(s) < 0)
        return -1;
#endif
    if (PyUnicode_IS_ASCII(s)) {
        *out = words(K_STR, PyUnicode_1BYTE_DATA(s), PyUnicode_GET_LENGTH(s));
        return 0;
    }
    Py_ssize_t n;
    const char *utf8 = PyUnicode_AsUTF8AndSize(s, &n);
    if (utf8 != NULL) {
        *out = words(K_STR, (const unsigned char *)utf8, n);
        return 0;
    }
    if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
        return -1;
    PyErr_Clear(); /* lone surrogates: encode them as Python's "surrogatepass" does */
    PyObject *b = PyUnicode_AsEncodedString(s, "utf-8", "surrogatepass");
    if (b == NULL)
        return -1;
    *out = words(K_STR, (const unsigned char *)PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b));
    Py_DECREF(b);
    return 0;
}

static int fp(PyObject *v, uint64_t *out);

/* A direct-mapped cache of the fingerprints of the str, tuple and frozenset objects found inside
 * a value, keyed by identity. A successor shares most of its parts with its parent and siblings
 * (record tags, unchanged fields, the messages in a message set), and Python's own hash() keeps
 * the hash of a str or frozenset in the object and a set's element hashes in its table; without
 * the cache these parts would be fingerprinted again at every successor. Each entry holds a
 * strong reference, so an address cannot be reused by another object while its entry stands:
 * an identity match means the same immutable value. (Like a frozenset's cached hash(), this
 * assumes the hash of any user object inside does not change; a mutable set is refused inside
 * a value, as hash() refuses it, so is never cached.) */
#define CACHE_BITS 12
#define CACHE_SIZE (1 << CACHE_BITS)
static struct { PyObject *obj; uint64_t fp; } cache[CACHE_SIZE];

static inline size_t cache_slot(PyObject *v) {
    return (size_t)(((uint64_t)(uintptr_t)v * 0x9E3779B97F4A7C15ULL) >> (64 - CACHE_BITS));
}

static inline void cache_put(size_t slot, PyObject *v, uint64_t h) {
    PyObject *old = cache[slot].obj;
    Py_INCREF(v);
    cache[slot].obj = v;
    cache[slot].fp = h;
    Py_XDECREF(old);  /* last: a deallocation may run code that re-enters this module */
}

static int fp_tuple(PyObject *t, uint64_t *out) {
    Py_ssize_t n = PyTuple_GET_SIZE(t);
    uint64_t h = mix(K_TUPLE + (uint64_t)n);
    if (Py_EnterRecursiveCall(" while fingerprinting"))
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t item;
        if (fp(PyTuple_GET_ITEM(t, i), &item) < 0) {
            Py_LeaveRecursiveCall();
            return -1;
        }
        h = mix(h ^ item);
    }
    Py_LeaveRecursiveCall();
    *out = h;
    return 0;
}

static int fp_set(PyObject *s, uint64_t *out) {
    uint64_t total = 0;
    Py_ssize_t n = PySet_GET_SIZE(s);
    if (Py_EnterRecursiveCall(" while fingerprinting"))
        return -1;
#if PY_VERSION_HEX < 0x030D0000
    if (PyFrozenSet_Check(s)) {  /* immutable: walk its table directly */
        Py_ssize_t pos = 0;
        PyObject *key;
        Py_hash_t hash;
        while (_PySet_NextEntry(s, &pos, &key, &hash)) {
            uint64_t item;
            if (fp(key, &item) < 0) {
                Py_LeaveRecursiveCall();
                return -1;
            }
            total += mix(item ^ K_ELEMENT);
        }
        Py_LeaveRecursiveCall();
        *out = mix(total ^ mix(K_SET + (uint64_t)n));
        return 0;
    }
#endif
    PyObject *it = PyObject_GetIter(s);
    if (it == NULL) {
        Py_LeaveRecursiveCall();
        return -1;
    }
    PyObject *key;
    while ((key = PyIter_Next(it)) != NULL) {
        uint64_t item;
        int rc = fp(key, &item);
        Py_DECREF(key);
        if (rc < 0) {
            Py_DECREF(it);
            Py_LeaveRecursiveCall();
            return -1;
        }
        total += mix(item ^ K_ELEMENT);
    }
    Py_DECREF(it);
    Py_LeaveRecursiveCall();
    if (PyErr_Occurred())
        return -1;
    *out = mix(total ^ mix(K_SET + (uint64_t)n));
    return 0;
}

static int fp_cached(PyObject *v, uint64_t *out, int (*compute)(PyObject *, uint64_t *)) {
    size_t slot = cache_slot(v);
    if (cache[slot].obj == v) {
        *out = cache[slot].fp;
        return 0;
    }
    if (compute(v, out) < 0)
        return -1;
    cache_put(slot, v, *out);
    return 0;
}

static int fp(PyObject *v, uint64_t *out) {
    PyTypeObject *type = Py_TYPE(v);
    if (type == &PyTuple_Type)
        return fp_cached(v, out, fp_tuple);
    if (type == &PyUnicode_Type)
        return fp_cached(v, out, fp_str);
    if (type == &PyLong_Type)
        return fp_int(v, out);
    if (type == &PyFrozenSet_Type)
        return fp_cached(v, out, fp_set);
    if (v == Py_None) {
        *out = mix(K_NONE);
        return 0;
    }
    if (PyLong_Check(v))  /* bool, NodeId, IntEnum */
        return fp_int(v, out);
    if (PyTuple_Check(v))  /* records */
        return fp_cached(v, out, fp_tuple);
    if (PyUnicode_Check(v))
        return fp_cached(v, out, fp_str);
    if (PyFrozenSet_Check(v))
        return fp_cached(v, out, fp_set);
    if (PyFloat_Check(v))
        return fp_double(PyFloat_AS_DOUBLE(v), out);
    if (PyBytes_Check(v)) {
        *out = words(K_BYTES, (const unsigned char *)PyBytes_AS_STRING(v), PyBytes_GET_SIZE(v));
        return 0;
    }
    if (PyComplex_Check(v)) {
        Py_complex c = PyComplex_AsCComplex(v);
        if (c.real == -1.0 && PyErr_Occurred())
            return -1;
        if (c.imag == 0.0)
            return fp_double(c.real, out);
        uint64_t re, im;
        if (fp_double(c.real, &re) < 0 || fp_double(c.imag, &im) < 0)
            return -1;
        *out = mix(mix(K_COMPLEX ^ re) ^ im);
        return 0;
    }
    Py_hash_t hash = PyObject_Hash(v);
    if (hash == -1 && PyErr_Occurred())
        return -1;
    *out = mix((uint64_t)hash + K_OBJECT);
    return 0;
}

static PyObject *fingerprint(PyObject *Py_UNUSED(module), PyObject *value) {
    uint64_t h;
    int rc;
    if (PyTuple_Check(value))  /* a whole state: seldom seen again, so kept out of the cache */
        rc = fp_tuple(value, &h);
    else if (PySet_Check(value))  /* a mutable set only at the top, as the frozenset it equals */
        rc = fp_set(value, &h);
    else
        rc = fp(value, &h);
    if (rc < 0)
        return NULL;
    return PyLong_FromLongLong((long long)h);
}

static PyObject *clear_cache(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
    for (size_t slot = 0; slot < CACHE_SIZE; slot++) {
        PyObject *old = cache[slot].obj;
        cache[slot].obj = NULL;
        Py_XDECREF(old);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"clear_cache", clear_cache, METH_NOARGS,
     "clear_cache()\n--\n\nDrop the references the fingerprint cache holds (results do not change)."},
    {"fingerprint", fingerprint, METH_O,
     "fingerprint(value) -> int\n--\n\nThe value's 64-bit fingerprint (a signed int), as checker.fingerprint defines it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "checker._fingerprint",
    "The C implementation of checker.fingerprint.", -1, methods,
};

PyMODINIT_FUNC PyInit__fingerprint(void) {
    return PyModule_Create(&module);
}
