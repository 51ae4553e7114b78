-- A move of rows in the walk of a refused batch, setting "moved" to the rows it wrote.
${move};
GET DIAGNOSTICS "moved" = ROW_COUNT
