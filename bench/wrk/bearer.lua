-- GET the URL wrk is given, with a bearer token (the script's first argument) in every request.
dofile("report.lua")

init = function(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
