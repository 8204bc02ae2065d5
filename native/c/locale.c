/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process locale as the JVM reports it (user.language, user.country, ...), for the native
 * image: the POSIX locale of LC_MESSAGES (display) and LC_CTYPE (format) after
 * setlocale(LC_ALL, ""), split into language_COUNTRY.encoding@modifier. As on the JVM, the C and
 * POSIX locales (and an unset or unsupported one) are en_US, and C.UTF-8 is en. Written for
 * xennet; it covers the locales a dom0 runs hotplug scripts in, not the JDK's alias tables.
 */
#include <ctype.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "svm_locale.h"

static svm_locale_props_t props;

static char *dup_range(const char *s, size_t n, int upper) {
    char *r = malloc(n + 1);
    if (r == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        r[i] = (char) (upper ? toupper((unsigned char) s[i]) : tolower((unsigned char) s[i]));
    }
    r[n] = '\0';
    return r;
}

/* Fills language, script, country, variant from one category; 0 on success, -1 out of memory. */
static int parse(int category, char **language, char **script, char **country, char **variant) {
    const char *lc = setlocale(category, NULL);
    if (lc == NULL || strcmp(lc, "C") == 0 || strcmp(lc, "POSIX") == 0) {
        lc = "en_US";
    }
    size_t lang_end = strcspn(lc, "_.@");
    const char *rest = lc + lang_end;
    if ((lang_end == 1 && lc[0] == 'C') || (lang_end == 5 && strncmp(lc, "POSIX", 5) == 0)) {
        *language = dup_range("en", 2, 0); /* C.UTF-8 and the like */
    } else {
        *language = dup_range(lc, lang_end, 0);
    }
    const char *c = "", *m = "";
    size_t clen = 0, mlen = 0;
    if (*rest == '_') {
        c = rest + 1;
        clen = strcspn(c, ".@");
    }
    const char *at = strchr(lc, '@');
    if (at != NULL) {
        m = at + 1;
        mlen = strlen(m);
    }
    *country = dup_range(c, clen, 1);
    if (mlen == 5 && strncmp(m, "latin", 5) == 0) {
        *script = dup_range("Latn", 4, 0);
        (*script)[0] = 'L';
    } else if (mlen == 8 && strncmp(m, "cyrillic", 8) == 0) {
        *script = dup_range("Cyrl", 4, 0);
        (*script)[0] = 'C';
    } else {
        *script = dup_range("", 0, 0);
    }
    *variant = dup_range("", 0, 0);
    return *language && *country && *script && *variant ? 0 : -1;
}

int svm_initialize_locale(void) {
    setlocale(LC_ALL, "");
    if (parse(LC_MESSAGES, &props.display_language, &props.display_script, &props.display_country,
            &props.display_variant) != 0
        || parse(LC_CTYPE, &props.format_language, &props.format_script, &props.format_country,
            &props.format_variant) != 0) {
        return SVM_LOCALE_INITIALIZATION_OUT_OF_MEMORY;
    }
    return SVM_LOCALE_INITIALIZATION_SUCCEEDED;
}

svm_locale_props_t *svm_get_locale(void) {
    return &props;
}
