# Deterministic TPC-H-like customer rows, '|'-delimited, about 160 bytes each; every value fits
# the spec's customer table. Usage: awk -v rows=N -f gen_customer.awk
BEGIN {
    split("BUILDING AUTOMOBILE MACHINERY HOUSEHOLD FURNITURE", seg, " ")
    split("regular deposits haggle slyly ironic accounts boost carefully final requests sleep quickly express packages wake furiously even pinto beans", words, " ")
    seed = 42
    for (i = 1; i <= rows; i++) {
        addr = ""
        for (k = 0; k < 3; k++) { seed = (seed * 1103515245 + 12345) % 2147483648; addr = addr sprintf("%c%c%c%c%c", 65 + seed % 26, 97 + int(seed / 26) % 26, 97 + int(seed / 676) % 26, 48 + int(seed / 17576) % 10, 97 + int(seed / 175760) % 26) }
        comment = ""
        for (k = 0; k < 11; k++) { seed = (seed * 1103515245 + 12345) % 2147483648; comment = comment (k ? " " : "") words[1 + int(seed / 65536) % 19] }
        seed = (seed * 1103515245 + 12345) % 2147483648
        printf "%d|Customer#%09d|%s|%d|%02d-%03d-%03d-%04d|%.2f|%s|%s\n", i, i, addr, seed % 25, 10 + seed % 25, seed % 1000, int(seed / 1000) % 1000, int(seed / 7) % 10000, (seed % 1099999) / 100 - 999.99, seg[1 + seed % 5], substr(comment, 1, 100)
    }
}
