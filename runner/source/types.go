package source

// The lessons' package is type-checked, so that what a program rewrites is
// found by type, not by name: the *runner.T however the lesson calls it,
// its client, its narration. A binary copied to another machine has
// neither the source nor the export data of the packages a lesson imports,
// so the checker gets them from this binary itself: by reflection, the
// runner's types the lessons use (T, Lesson, Needs) and every type they
// reach (the etcd client and its requests and responses), with their
// fields and methods. What a lesson uses of a package beyond that
// (fmt.Sprintf, clientv3.WithPrefix) stays without a type: the checker's
// errors about it are ignored, and nothing here depends on those types.

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"regexp"
	"strings"

	"etcdtour/runner"
)

// reflectImporter makes packages of the types reachable from its roots.
type reflectImporter struct {
	pkgs  map[string]*types.Package
	named map[reflect.Type]*types.Named
}

func newReflectImporter(roots ...reflect.Type) *reflectImporter {
	imp := &reflectImporter{pkgs: map[string]*types.Package{}, named: map[reflect.Type]*types.Named{}}
	for _, t := range roots {
		imp.typ(t)
	}
	for _, p := range imp.pkgs {
		p.MarkComplete()
	}
	return imp
}

// Import returns the package at path: the types reflection found in it,
// or none.
func (imp *reflectImporter) Import(path string) (*types.Package, error) {
	return imp.pkg(path), nil
}

var version = regexp.MustCompile(`^v[0-9]+$`)

func (imp *reflectImporter) pkg(path string) *types.Package {
	if p, ok := imp.pkgs[path]; ok {
		return p
	}
	elems := strings.Split(path, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && version.MatchString(name) {
		name = elems[len(elems)-2] + name // go.etcd.io/etcd/client/v3: clientv3
	}
	p := types.NewPackage(path, name)
	imp.pkgs[path] = p
	return p
}

// typ is t as go/types has it.
func (imp *reflectImporter) typ(t reflect.Type) types.Type {
	if t.Name() != "" {
		if t.PkgPath() == "" { // predeclared: int, string, error, ...
			if obj := types.Universe.Lookup(t.Name()); obj != nil {
				return obj.Type()
			}
		} else {
			return imp.namedType(t)
		}
	}
	return imp.literal(t)
}

func (imp *reflectImporter) namedType(t reflect.Type) *types.Named {
	if n, ok := imp.named[t]; ok {
		return n
	}
	pkg := imp.pkg(t.PkgPath())
	obj := types.NewTypeName(token.NoPos, pkg, t.Name(), nil)
	n := types.NewNamed(obj, nil, nil)
	imp.named[t] = n
	if pkg.Scope().Lookup(t.Name()) == nil {
		pkg.Scope().Insert(obj)
	}
	n.SetUnderlying(imp.literal(t))
	if t.Kind() == reflect.Interface {
		return n
	}
	fields := map[string]bool{}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			fields[t.Field(i).Name] = true
		}
	}
	// Methods of T, then those of *T only. reflect lists promoted methods
	// as T's own: the same for a lookup.
	seen := map[string]bool{}
	for _, ptr := range []bool{false, true} {
		rt := t
		if ptr {
			rt = reflect.PointerTo(t)
		}
		for i := 0; i < rt.NumMethod(); i++ {
			m := rt.Method(i)
			if seen[m.Name] || fields[m.Name] {
				continue
			}
			seen[m.Name] = true
			var recv types.Type = n
			if ptr {
				recv = types.NewPointer(n)
			}
			sig := imp.signature(m.Type, 1, types.NewVar(token.NoPos, pkg, "", recv))
			n.AddMethod(types.NewFunc(token.NoPos, pkg, m.Name, sig))
		}
	}
	return n
}

// literal is t's structure, without its name.
func (imp *reflectImporter) literal(t reflect.Type) types.Type {
	switch t.Kind() {
	case reflect.Pointer:
		return types.NewPointer(imp.typ(t.Elem()))
	case reflect.Slice:
		return types.NewSlice(imp.typ(t.Elem()))
	case reflect.Array:
		return types.NewArray(imp.typ(t.Elem()), int64(t.Len()))
	case reflect.Map:
		return types.NewMap(imp.typ(t.Key()), imp.typ(t.Elem()))
	case reflect.Chan:
		dir := map[reflect.ChanDir]types.ChanDir{reflect.BothDir: types.SendRecv, reflect.SendDir: types.SendOnly, reflect.RecvDir: types.RecvOnly}[t.ChanDir()]
		return types.NewChan(dir, imp.typ(t.Elem()))
	case reflect.Func:
		return imp.signature(t, 0, nil)
	case reflect.Interface:
		var methods []*types.Func
		for i := 0; i < t.NumMethod(); i++ {
			m := t.Method(i)
			methods = append(methods, types.NewFunc(token.NoPos, imp.pkg(t.PkgPath()), m.Name, imp.signature(m.Type, 0, nil)))
		}
		return types.NewInterfaceType(methods, nil).Complete()
	case reflect.Struct:
		var fields []*types.Var
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue // a lesson cannot use it
			}
			fields = append(fields, types.NewField(token.NoPos, imp.pkg(t.PkgPath()), f.Name, imp.typ(f.Type), f.Anonymous))
		}
		return types.NewStruct(fields, nil)
	case reflect.UnsafePointer:
		return types.Typ[types.UnsafePointer]
	}
	basic := map[reflect.Kind]types.BasicKind{
		reflect.Bool: types.Bool, reflect.Int: types.Int, reflect.Int8: types.Int8, reflect.Int16: types.Int16,
		reflect.Int32: types.Int32, reflect.Int64: types.Int64, reflect.Uint: types.Uint, reflect.Uint8: types.Uint8,
		reflect.Uint16: types.Uint16, reflect.Uint32: types.Uint32, reflect.Uint64: types.Uint64,
		reflect.Uintptr: types.Uintptr, reflect.Float32: types.Float32, reflect.Float64: types.Float64,
		reflect.Complex64: types.Complex64, reflect.Complex128: types.Complex128, reflect.String: types.String,
	}
	return types.Typ[basic[t.Kind()]]
}

// signature is function type t without its first skip parameters (a
// method's receiver), with receiver recv.
func (imp *reflectImporter) signature(t reflect.Type, skip int, recv *types.Var) *types.Signature {
	var params, results []*types.Var
	for i := skip; i < t.NumIn(); i++ {
		params = append(params, types.NewParam(token.NoPos, nil, "", imp.typ(t.In(i))))
	}
	for i := 0; i < t.NumOut(); i++ {
		results = append(results, types.NewParam(token.NoPos, nil, "", imp.typ(t.Out(i))))
	}
	return types.NewSignatureType(recv, nil, nil, types.NewTuple(params...), types.NewTuple(results...), t.IsVariadic())
}

// typed is the lessons' package type-checked, and the runner's types in it.
type typed struct {
	info   *types.Info
	pkg    *types.Package
	t      types.Type // *runner.T
	client types.Type // the type of T.Client
	lesson types.Type // runner.Lesson
}

// check type-checks files, the lessons' package.
func check(fset *token.FileSet, files []*ast.File) *typed {
	imp := newReflectImporter(reflect.TypeFor[runner.T](), reflect.TypeFor[runner.Lesson](), reflect.TypeFor[runner.Needs]())
	tt := &typed{info: &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{},
		Defs:  map[*ast.Ident]types.Object{},
		Uses:  map[*ast.Ident]types.Object{},
	}}
	tNamed := imp.named[reflect.TypeFor[runner.T]()]
	tt.t = types.NewPointer(tNamed)
	tt.lesson = imp.named[reflect.TypeFor[runner.Lesson]()]
	if f, ok := reflect.TypeFor[runner.T]().FieldByName("Client"); ok {
		tt.client = imp.typ(f.Type)
	}
	conf := types.Config{Importer: imp, Error: func(error) {}}
	name := "lessons"
	if len(files) > 0 {
		name = files[0].Name.Name
	}
	tt.pkg, _ = conf.Check(name, fset, files, tt.info)
	return tt
}

// isT reports whether e is a *runner.T.
func (tt *typed) isT(e ast.Expr) bool {
	return tt != nil && e != nil && types.Identical(tt.info.TypeOf(e), tt.t)
}

// isClient reports whether type typ is that of T.Client.
func (tt *typed) isClient(typ types.Type) bool {
	return tt.client != nil && typ != nil && types.Identical(typ, tt.client)
}

// method returns M if e is x.M with x a *runner.T.
func (tt *typed) method(e ast.Expr) string {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || !tt.isT(sel.X) {
		return ""
	}
	return sel.Sel.Name
}

// obj is the object id declares or uses.
func (tt *typed) obj(id *ast.Ident) types.Object {
	if o := tt.info.Defs[id]; o != nil {
		return o
	}
	return tt.info.Uses[id]
}

// isLesson reports whether typ is runner.Lesson.
func (tt *typed) isLesson(typ types.Type) bool {
	return typ != nil && types.Identical(typ, tt.lesson)
}

// isLessons reports whether typ is runner.Lesson or a slice of them.
func (tt *typed) isLessons(typ types.Type) bool {
	if s, ok := typ.(*types.Slice); ok {
		typ = s.Elem()
	}
	return tt.isLesson(typ)
}

// isTType reports whether typ is *runner.T.
func (tt *typed) isTType(typ types.Type) bool {
	return typ != nil && types.Identical(typ, tt.t)
}
