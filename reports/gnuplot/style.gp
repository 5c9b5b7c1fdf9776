# memhp report: the look shared by every figure. memhp runs gnuplot with this
# file first and a generated script second; the generated script holds only
# numbers, memhp's own file names and fixed titles. Every name that came from
# a result file (variants, runs) reaches gnuplot through the data files only.
# Edit colours and fonts here.

set border 3 lc rgb "#444444"
set tics nomirror textcolor rgb "#333333"
set grid ytics lc rgb "#dddddd" lt 1
set key below horizontal noenhanced
set style fill solid 0.75 border -1

# Series colours, colour-blind safe (Okabe-Ito).
set linetype 1 lc rgb "#0072B2" lw 2 pt 7 ps 0.6
set linetype 2 lc rgb "#E69F00" lw 2 pt 7 ps 0.6
set linetype 3 lc rgb "#009E73" lw 2 pt 7 ps 0.6
set linetype 4 lc rgb "#CC79A7" lw 2 pt 7 ps 0.6
set linetype 5 lc rgb "#56B4E9" lw 2 pt 7 ps 0.6
set linetype 6 lc rgb "#D55E00" lw 2 pt 7 ps 0.6
set linetype 7 lc rgb "#F0E442" lw 2 pt 7 ps 0.6
set linetype 8 lc rgb "#000000" lw 2 pt 7 ps 0.6
set linetype cycle 8

# Block states in the per-block map.
c_removed = "#BBBBBB"
c_offline = "#E69F00"
c_normal  = "#D55E00"
c_movable = "#0072B2"
c_other   = "#CC79A7"
