-- A plain GET of the URL wrk is given.
dofile("report.lua")
