-- Sends requests in batches of `depth` (default 16) pipelined requests per write.
-- Usage: wrk -s pipeline.lua http://host:port/plaintext -- 16
init = function(args)
   local depth = tonumber(args[1]) or 16
   local requests = {}
   for i = 1, depth do
      requests[i] = wrk.format()
   end
   req = table.concat(requests)
end

request = function()
   return req
end
