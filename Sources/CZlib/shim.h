#include <zlib.h>

// deflateInit2 is a macro: Swift sees this function instead. Raw deflate (no zlib header),
// the form a ZIP entry holds.
static inline int czlib_raw_deflate_init(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}
